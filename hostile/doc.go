// Package hostile holds the hostile-input suite: it builds the real binary,
// starts it under a memory cap on SQLite and on PostgreSQL, sends it the
// requests of issue 14's findings and their variations, and checks that every
// one gets its coded answer in bounded time and memory while another client
// keeps being served. It runs only with HOSTILE=1 (CI sets it); see the
// README's Operations section.
package hostile
