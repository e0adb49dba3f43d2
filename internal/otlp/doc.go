// Package otlp receives OpenTelemetry traces over OTLP/HTTP (POST
// /v1/traces) and stores the spans of LLM and agent applications through
// internal/ingest.
//
// # Protocol
//
// Requests are ExportTraceServiceRequest messages in binary protobuf
// (Content-Type application/x-protobuf, or application/protobuf) or OTLP/JSON (application/json, with
// trace and span ids as hex strings and unknown fields ignored), with
// Content-Encoding gzip or none. Answers use the request's content type:
//
//   - 200 with an ExportTraceServiceResponse; when some spans are invalid it
//     carries partial_success.rejected_spans and an error_message naming the
//     first few, and the valid spans are stored.
//   - 400 with a google.rpc.Status for a body that does not decode. Every
//     Status carries a google.rpc.ErrorInfo detail whose reason is the
//     error code (apperr) and whose metadata holds the requestId.
//   - 405 for a method other than POST, 415 for another content type: JSON
//     errors, as every endpoint answers them when the encoding is unknown;
//     415 with a Status for another content encoding.
//   - 408 for a body slower than the server's read-body timeout; 429 with
//     Retry-After when the caller has its share of requests in flight and
//     its queue is full (internal/fair).
//   - 413 for a body over Options.MaxBodyBytes (16 MiB), as received or after
//     decompression (decompression stops at the cap).
//   - 503 with Retry-After when the database is unreachable or busy or the
//     request timed out: the exporter retries, and as every entity is keyed
//     by ids, retrying is safe. Database trouble is never a 500.
//
// # Mapping
//
// Project: the span attribute agentgraph.project (Options.ProjectAttribute),
// else the same resource attribute, else the resource's service.name, else
// "default" (Options.DefaultProject).
//
// Trace: one per project and OTel trace id. The trace id (32 hex digits) is
// the trace's external id; its start and end are the earliest start and the
// latest end of the received spans, widened by later exports of the same
// trace. Spans of a trace that arrive in several exports land in one trace,
// and replaying an export creates nothing new: the span id (16 hex digits)
// is the external id of the entity a span maps to. A trace none of whose
// spans in an export maps to an entity (plain HTTP or database spans) is
// not stored by that export, so such spans exported alone (an HTTP root
// span ending after the rest of its trace was exported) do not widen the
// trace's times.
//
// Span kind, first rule that applies:
//
//  1. openinference.span.kind: LLM or EMBEDDING -> LLM call, TOOL -> tool
//     call, AGENT -> agent call; CHAIN and any other value -> not stored.
//  2. gen_ai.operation.name: chat, text_completion, generate_content,
//     embeddings -> LLM call; execute_tool -> tool call; invoke_agent,
//     create_agent -> agent call.
//  3. gen_ai.request.model, gen_ai.system or gen_ai.provider.name present ->
//     LLM call.
//  4. Otherwise the span is not stored, but it still links its children to
//     its ancestors.
//
// Times are the span's start and end (unix nanoseconds, stored in UTC); a
// span without an end time makes a call without one.
//
// LLM call: name = span name; model = gen_ai.response.model, else
// gen_ai.request.model, else llm.model_name, else embedding.model_name;
// input tokens = gen_ai.usage.input_tokens, else gen_ai.usage.prompt_tokens,
// else llm.token_count.prompt; output tokens = gen_ai.usage.output_tokens,
// else gen_ai.usage.completion_tokens, else llm.token_count.completion;
// reasoning tokens = gen_ai.usage.reasoning.output_tokens, else
// gen_ai.usage.reasoning_tokens, else
// llm.token_count.completion_details.reasoning. The conventions count
// reasoning tokens inside the output tokens, while the store keeps them
// apart, so they are subtracted from the completion count (unless larger
// than it). The total is gen_ai.usage.total_tokens or llm.token_count.total
// when at least the sum of the parts, else the sum. Prompt =
// gen_ai.input.messages, else gen_ai.prompt, else the gen_ai.prompt
// attribute of a gen_ai.content.prompt span event, else the flattened
// gen_ai.prompt.<n>.<field> attributes (as a JSON array of objects), else
// input.value. Output = gen_ai.output.messages, else gen_ai.completion, else
// the gen_ai.completion attribute of a gen_ai.content.completion event, else
// gen_ai.completion.<n>.<field>, else output.value. Structured attribute
// values are stored as JSON text. Cost: when the span carries
// gen_ai.usage.cost or llm.cost.total (total USD), gen_ai.usage.input_cost or
// llm.cost.prompt, gen_ai.usage.output_cost or llm.cost.completion, those
// are stored; otherwise the cost is computed from the model price table.
//
// Tool call: name = gen_ai.tool.name, else tool.name, else span name; input
// parameters = gen_ai.tool.call.arguments, else input.value; output =
// gen_ai.tool.call.result, else output.value.
//
// Agent call: name = gen_ai.agent.name, else agent.name, else span name.
//
// Agent of a call: the nearest AGENT ancestor, found by walking parent span
// ids through the spans of the same export, including spans that are not
// stored (CHAIN, HTTP...). When the walk reaches a parent that is not in
// the export, that parent's span id is recorded as the call's agent
// external id, and the link is made when an agent with that span id is
// stored, before or after. So a call exported before its agent is linked as
// long as its direct parent is the agent or is in the same export as the
// call; a call whose missing ancestor is not itself the agent (an agent ->
// chain -> LLM chain where the chain span arrives in a later export than the
// LLM span) stays without agent. An agent of another project (set by the
// span-level project attribute) is not linked. Agents are not nested in
// each other: every agent call belongs to the trace.
//
// Errors: each span event named "exception" on an LLM, tool or agent span
// becomes an error of type LLM, Tool or Agent with message
// "<exception.type>: <exception.message>", the event's time as timestamp,
// and references to the span's call and its agent. A span with status ERROR
// and no exception event gives one error with the status message, at the
// span's end. Errors on spans that are not stored are not kept (exceptions
// usually propagate up to a stored span that records them too).
//
// System info, from resource attributes, only when at least one is present:
// os name = os.name, else os.type; os version = os.version, else
// os.description; python version = process.runtime.version when
// process.runtime.name is cpython or python, else "<process.runtime.name>
// <process.runtime.version>"; cpu = host.cpu.model.name with host.arch in
// parentheses, or either alone.
//
// Not mapped: user interactions and evaluation metrics (OpenTelemetry has no
// clean convention for them), span links, and attributes not named above.
//
// A span is rejected (and counted in rejected_spans) when its trace or span
// id is missing, all zero or of the wrong length, it has no start time, it
// ends before it starts, or the ingestion service refuses its entity (for
// instance a prompt over the size limit or negative tokens). The first of
// duplicate spans (same trace and span id) in one export wins.
package otlp
