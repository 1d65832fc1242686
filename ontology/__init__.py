"""The supplygraph ontology: vocabulary, code lists and SHACL shapes."""
