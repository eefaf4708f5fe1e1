"""The transactional outbox: messages to reporters and parties leave only after commit."""
