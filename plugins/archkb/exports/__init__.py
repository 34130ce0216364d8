"""The catalog as files readers take away: JSON (:mod:`.json`), BibTeX (:mod:`.bibtex`) and the Atom feed (:mod:`.feed`)."""
