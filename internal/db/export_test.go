package db

// IdentitySequence exposes the sequence names reserveIDs assumes.
var IdentitySequence = identitySequence
