// Package load batches the reads of one GraphQL request without waiting
// on a time window and without walking the query first.
//
// gqlgen's batch resolvers hand an edge all sibling parents of one list at
// once. Parents of one level often sit in several lists (the traces of ten
// projects), so each set of rows read by one statement is kept as a
// cohort: a field of any row of a cohort is loaded for the whole cohort in
// one statement, and the other lists find their values in the request's
// cache. Statements per request then depend on the shape of the query,
// never on its page sizes or on scheduling.
package load
