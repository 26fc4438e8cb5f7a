"""The last stage: assemble the MkDocs config, write, build and publish."""
