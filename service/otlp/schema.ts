/**
 * The OTLP logs messages this service reads and writes, in the OpenTelemetry protocol's
 * field numbers (opentelemetry/proto: collector/logs/v1, logs/v1, common/v1, resource/v1, and
 * google.rpc.Status for error bodies), decoded and encoded by protobufjs. Only the fields the
 * service uses are declared: protobuf skips unknown fields, so newer senders still decode.
 * Enums are declared by their wire type (int32), which decodes the same bytes.
 */
import protobuf from 'protobufjs';

const otlpLogsProto = `
syntax = "proto3";

package otlp;

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

message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
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
/** ExportLogsServiceResponse is the body of a successful (or partly successful) answer. */
export const ExportLogsServiceResponse = root.lookupType('otlp.ExportLogsServiceResponse');
/** Status is the body of every OTLP/HTTP 4xx and 5xx answer (google.rpc.Status). */
export const Status = root.lookupType('otlp.Status');
