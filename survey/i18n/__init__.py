"""Languages: choosing the locale; later the YAML extractor and catalog status."""
