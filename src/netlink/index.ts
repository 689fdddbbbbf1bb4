// tsbcc's rtnetlink: messages, a request/ack socket, links (ifindex, legacy XDP) and tc.
export { NetlinkSocket, NetlinkError } from './socket.js';
export * from './message.js';
export * from './link.js';
export * from './tc.js';
export * as nlconst from './uapi.js';
