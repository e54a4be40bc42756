/**
 * @vppnet/vpp-sim: a simulated VPP that speaks the real binary API, a cluster of them, and
 * the pure pieces of VPP behaviour they are built on (cnat Maglev and flow hash).
 */
export * from './cnat';
export { SimVpp, SIM_VERSION, type Body, type MessageModule } from './model/node';
export { SimApiError } from './model/errors';
export type { SimInterface, InterfaceKind, TapDevice, AfPacketDevice } from './model/interfaces';
export type { SimNeighbor } from './model/neighbors';
export { VPP_OWN_SOURCES, type SimRoute, type SimPath, type SimTable } from './model/fib';
export type { SimTranslation, SimTranslationPath, SimEndpoint } from './model/cnat';
export { x25519PublicKey, x25519GeneratePrivateKey } from './model/tunnels';
export { SimConnection, type SimConnectionEvents } from './connection';
export { SimCluster, type SimPod, type SimNodeInfo } from './cluster';
export { Tracer, formatTrace, fmtPacket, type TraceRequest, type TraceResult, type TraceSource, type Hop, type HopStep, type Packet, type PolicyEvaluator } from './trace';
export { SimApiServer } from './server';
