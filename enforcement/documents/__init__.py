"""Official documents (文书): numbering, issuing, storage and verification."""
