import protobuf from 'protobufjs';

/**
 * The parts of the OTLP trace protos that ingest reads and writes, field numbers as in
 * opentelemetry-proto v1 (`collector/trace/v1/trace_service.proto`, `trace/v1/trace.proto`), plus
 * `google.rpc.Status` for error answers. Fields not listed are skipped by the decoder.
 */
export const OTLP_TRACE_PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Resource { repeated KeyValue attributes = 1; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportTracePartialSuccess { int64 rejected_spans = 1; string error_message = 2; }
message ExportTraceServiceResponse { ExportTracePartialSuccess partial_success = 1; }
message RpcStatus { int32 code = 1; string message = 2; }
`;

const root = protobuf.parse(OTLP_TRACE_PROTO, { keepCase: false }).root;
export const ExportTraceServiceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
/** The parts of a request that ingest decodes one by one (see `proto-spans.ts`). */
export const ResourceMessage = root.lookupType('otlp.Resource');
export const InstrumentationScopeMessage = root.lookupType('otlp.InstrumentationScope');
export const SpanMessage = root.lookupType('otlp.Span');
export const ExportTraceServiceResponse = root.lookupType('otlp.ExportTraceServiceResponse');
/** `google.rpc.Status`, the body of OTLP/HTTP error answers. */
export const RpcStatus = root.lookupType('otlp.RpcStatus');
