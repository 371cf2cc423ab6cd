/**
 * The embedded driver's monitor and recording requests checked against its
 * legs (kept out of driver.ts): which legs, answered and bridged as needed.
 */
import type { LegId, MonitorRequest, RecordRequest } from '../../../contract';
import { TelephonyError } from '../../../contract';
import type { G711Law } from '../../../../media/g711';
import type { MediaLeg, MediaRoom } from './media-room';
import { MONITOR_MODES } from './mixer';

/** What the hooks need of the driver's Leg. */
export interface HookLeg {
  id: LegId;
  peer?: LegId;
  state: { phase: string };
  rtp: { law: G711Law; sendFrame(p: Uint8Array): void; setMixed(on: boolean): void; stopPlayback(): boolean };
}

function asMediaLeg(l: HookLeg): MediaLeg {
  return {
    id: l.id,
    get law() {
      return l.rtp.law;
    },
    sendFrame: (p) => l.rtp.sendFrame(p),
    setMixed: (on) => l.rtp.setMixed(on),
  };
}

export function monitorCall(room: MediaRoom, req: MonitorRequest, leg: (id: LegId) => HookLeg): void {
  if (!MONITOR_MODES.includes(req.mode)) throw new TelephonyError('BAD_REQUEST', `mode must be one of ${MONITOR_MODES.join(', ')}`);
  const sup = leg(req.supervisorLeg);
  const agent = leg(req.agentLeg);
  if (sup.id === agent.id) throw new TelephonyError('BAD_REQUEST', 'the supervisor leg cannot be the agent leg');
  if (sup.state.phase !== 'confirmed') throw new TelephonyError('BAD_STATE', `supervisor leg ${sup.id} is not answered`);
  if (sup.peer) throw new TelephonyError('BAD_STATE', `supervisor leg ${sup.id} is bridged to ${sup.peer}`);
  if (!agent.peer) throw new TelephonyError('BAD_STATE', `agent leg ${agent.id} is not bridged to a customer`);
  const customer = leg(agent.peer);
  sup.rtp.stopPlayback();
  room.startMonitor({ agent: asMediaLeg(agent), customer: asMediaLeg(customer), supervisor: asMediaLeg(sup) }, req.mode);
}

export function recordCall(room: MediaRoom, req: RecordRequest, leg: (id: LegId) => HookLeg): string {
  if (!req.path) throw new TelephonyError('BAD_REQUEST', 'recording path is required');
  const c = leg(req.customerLeg);
  const a = req.agentLeg === undefined ? undefined : leg(req.agentLeg);
  if (c.id === a?.id) throw new TelephonyError('BAD_REQUEST', 'customer and agent legs must differ');
  return room.startRecording(c.id, a?.id, req.path, req.onEnd);
}
