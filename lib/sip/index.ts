/**
 * lib/sip: the SIP engine as a library (RFC 3261 and friends), shaped like the
 * protocol — message, transport port, transactions, dialogs — with time from
 * an injected clock. Anything that speaks SIP (the embedded driver, SIP
 * MESSAGE) imports from here and from nowhere else.
 */
export * from './message';
export * from './headers';
export * from './digest';
export * from './requests';
export * from './clock';
export * from './timers';
export * from './transport';
export { UdpTransport } from './udp';
export {
  SipStack,
  responseTo,
  type ClientOutcome,
  type ServerTxHandle,
  type StackLogger,
  type StackOptions,
  type StackStats,
} from './stack';
export { IllegalTransition, type TxEffect, type TxTransition, type TxContext } from './transactions/types';
export * from './transactions/invite-client';
export * from './transactions/non-invite-client';
export * from './transactions/invite-server';
export * from './transactions/non-invite-server';
export * from './dialog';
export * from './session-timer';
export * from './prack';
export { TcpTransport, StreamFramer, TCP_MAX_MESSAGE_BYTES } from './tcp';
export { bindSipPorts, SipBindError, SIP_PORT_PAIR_TRIES, type SipBinders, type SipPorts } from './bind';
export * from './registration';
export * from './dns';
export * from './locator';
export {
  initialLegState,
  transition as legTransition,
  type EndCause as LegEndCause,
  type LegEffect,
  type LegInput,
  type LegState,
  type Transition as LegTransition,
  type UacLegPhase,
} from './uac-leg';
