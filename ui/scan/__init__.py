"""The camera controller: frame source and decoder worker on a QThread."""
