/**
 * Agent and agent-group definitions (seed 001 "outbound groups of agents").
 * Definitions only: live agent state (ready, on call, wrap-up…) belongs to the
 * runtime. Pure.
 */
export const AGENT_ID_PATTERN = '^[A-Za-z0-9_.@-]{1,64}$';

export interface Agent {
  id: string;
  name: string;
  /** Where the dialer calls the agent's phone (seed 001: the system calls the agent first). */
  sipUri: string;
  groups: string[];
  createdAt: string;
  updatedAt: string;
}

export interface AgentGroup {
  id: string;
  name: string;
  description: string;
  createdAt: string;
  updatedAt: string;
}

/** sip:/sips: URI with a host (user part optional), no spaces (RFC 3261 §19.1, loosely). */
const SIP_URI = /^sips?:(?:[^\s@:;]+@)?[A-Za-z0-9.-]+(?::\d{1,5})?(?:;[^\s]*)?$/;

export function sipUriProblem(uri: string): string | undefined {
  return SIP_URI.test(uri) ? undefined : `sipUri "${uri}" is not a SIP URI (e.g. sip:1001@10.0.0.5:5060)`;
}
