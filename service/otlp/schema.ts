/**
 * The OTLP logs messages this service reads and writes, in the OpenTelemetry protocol's
 * field numbers (opentelemetry/proto: collector/logs/v1, logs/v1, common/v1, resource/v1, and
 * google.rpc.Status for error bodies), decoded and encoded by protobufjs. Only the fields the
 * service uses are declared: unknown fields are skipped (and not kept), so newer senders
 * still decode. Enums are declared by their wire type (int32), which decodes the same bytes.
 *
 * The schema is written in edition 2023 rather than proto3 for two decoding costs, not for
 * anything on the wire (the encodings are identical): explicit presence lets AnyValue's
 * members be plain fields (protobufjs's oneof setter deletes the other six members on every
 * value), and strings are read with Buffer's UTF-8 decoder, which turns invalid bytes into
 * U+FFFD, instead of protobufjs's own validating one.
 */
import protobuf from 'protobufjs';

const otlpLogsProto = `
edition = "2023";

package otlp;

option features.utf8_validation = NONE;

message ExportLogsServiceRequest {
  repeated ResourceLogs resource_logs = 1;
}

message ExportLogsServiceResponse {
  ExportLogsPartialSuccess partial_success = 1;
}

message ExportLogsPartialSuccess {
  int64 rejected_log_records = 1;
  string error_message = 2;
}

message ResourceLogs {
  Resource resource = 1;
  repeated ScopeLogs scope_logs = 2;
}

message Resource {
  repeated KeyValue attributes = 1;
}

message ScopeLogs {
  InstrumentationScope scope = 1;
  repeated LogRecord log_records = 2;
}

message InstrumentationScope {
  string name = 1;
  string version = 2;
  repeated KeyValue attributes = 3;
}

message LogRecord {
  fixed64 time_unix_nano = 1;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  bytes trace_id = 9;
  bytes span_id = 10;
  fixed64 observed_time_unix_nano = 11;
  string event_name = 12;
}

// a oneof on the wire: the member present is the one set
message AnyValue {
  string string_value = 1;
  bool bool_value = 2;
  int64 int_value = 3;
  double double_value = 4;
  ArrayValue array_value = 5;
  KeyValueList kvlist_value = 6;
  bytes bytes_value = 7;
}

message ArrayValue {
  repeated AnyValue values = 1;
}

message KeyValueList {
  repeated KeyValue values = 1;
}

message KeyValue {
  string key = 1;
  AnyValue value = 2;
}

message Status {
  int32 code = 1;
  string message = 2;
}
`;

const root = protobuf.parse(otlpLogsProto, { keepCase: false }).root;

/** ExportLogsServiceRequest is the body of an OTLP logs export. */
export const ExportLogsServiceRequest = root.lookupType('otlp.ExportLogsServiceRequest');

/**
 * decodeExportRequest decodes an export body; unknown fields are dropped rather than copied
 * onto each message. Throws on bytes that are not the message (or nest past protobufjs's
 * recursion limit).
 */
export function decodeExportRequest(body: Uint8Array): protobuf.Message {
  const reader = protobuf.Reader.create(body) as protobuf.Reader & { discardUnknown?: boolean };
  reader.discardUnknown = true;
  return ExportLogsServiceRequest.decode(reader);
}
/** ExportLogsServiceResponse is the body of a successful (or partly successful) answer. */
export const ExportLogsServiceResponse = root.lookupType('otlp.ExportLogsServiceResponse');
/** Status is the body of every OTLP/HTTP 4xx and 5xx answer (google.rpc.Status). */
export const Status = root.lookupType('otlp.Status');
