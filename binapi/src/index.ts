/**
 * vpp-binapi-ts: FD.io VPP binary API for TypeScript.
 *
 * - `createCodec()`: compiled encoders/decoders for every message of the .api.json tree
 *   (natural values; `{ json: true }` for the vpp_papi JSON representation);
 * - generated types, message descriptors (name + CRC) and service maps per VPP module
 *   (`cnat`, `ip`, `interface`, ... namespaces; `VppMessages`, `VppServices`);
 * - address helpers (`toAddress('10.0.0.1')`, `toPrefix('fd00::/64')`, ...);
 * - VPP return codes (`vppErrorName`, `VppApiError`).
 */
export {
  createCodec,
  CodecCompiler,
  type Codec,
  type CodecOptions,
  type MessageCodec,
  type MessageInfo,
  type TypeCodec,
  type ValueMode,
} from './codec';
export {
  ApiSchema,
  BASE_TYPES,
  VppSchemaError,
  defaultApiDir,
  isBaseType,
  loadSchema,
  loadSchemaFrom,
  shortTypeName,
  type AliasDef,
  type BaseType,
  type EnumDef,
  type FieldDef,
  type FieldOptions,
  type IntBaseType,
  type ModuleDef,
  type ServiceDef,
  type StructDef,
  type TypeDef,
  type UnionDef,
} from './schema';
export {
  VppApiError,
  VppDecodeError,
  VppEncodeError,
  vppErrorCode,
  vppErrorName,
  vppErrors,
  type VppDecodeErrorReason,
  type VppErrorInfo,
} from './errors';
export * from './address';
export { ValueConverter, type Direction } from './convert';
export { generateAll, generateModule, diffGenerated, writeGenerated, pascalCase, messageConstName, type GeneratedFile } from './generate';
export * from './generated';
export {
  VppClient, DEFAULT_SOCKET_PATH,
  type VppClientOptions, type VppClientEvents, type ReconnectOptions, type CallOptions, type VppClientStats, type VppClientLogger,
} from './client/client';
export { VppTimeoutError, VppDisconnectedError, VppUnavailableError, VppProtocolError, type VppUnavailableReason } from './client/errors';
export { messageToJson, plainJson, type ToJsonOptions } from './client/to-json';
export {
  VppApiServer, VppApiSession,
  type VppApiServerOptions, type VppApiServerEvents, type MessageTableOptions, type RequestHandler, type DumpHandler, type Interceptor,
  type InterceptResult, type VppVersionInfo,
} from './server/server';
export {
  FrameReader, FrameSplitter, VppFrameError, encodeFrame, frameBytes, headerLayout, messageId, writeFrameHeader, FRAME_HEADER_SIZE, DEFAULT_MAX_FRAME_LENGTH,
  type FrameReaderOptions, type FrameRangeHandler, type FrameIds, type HeaderLayout, type VppFrameErrorReason,
} from './transport/framing';
export { MessageTable, splitNameCrc, normalizeCrc, SOCKCLNT_CREATE_ID, SOCKCLNT_CREATE_REPLY_ID, type MessageTableEntry, type MessageStatus } from './transport/message-table';
export { FibSourceHandle, type FibSourceApi } from './helpers/fib-source';
export { interfaceHolding, type InterfaceAddressApi } from './helpers/interface-holding';
export {
  VppApiRecorder, messageTableSha256,
  type VppApiRecorderOptions, type RecordingLine, type RecordedFrameLine, type RecordedConnectionLine,
} from './recorder/recorder';
