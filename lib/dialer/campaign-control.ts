/**
 * Campaign control: applies a life-cycle transition (lib/domain/campaign-state),
 * carries out its dialing effects and publishes it, so every runner wakes at
 * once instead of finding the change on its next poll (polling stays only for
 * recovery after a crash). Effects: `startDialing` / `stopDialing` / `publish`
 * are one message on the control channel; the store carries out the rest
 * (freezeAllocation, releaseLists, purgeOutbound) in setCampaignState.
 */
import type { Redis } from 'ioredis';
import type { CampaignEvent, CampaignState } from '../domain/campaign-state';
import { setCampaignState } from '../store/campaigns';

export interface ControlMessage {
  campaignId: string;
  event: CampaignEvent;
  state: CampaignState;
  dialing: 'start' | 'stop' | null;
}

/** Pub/sub channels are not prefixed by ioredis's keyPrefix: add it, so two deployments on one Redis stay apart. */
export const controlChannel = (redis: Redis): string => `${redis.options.keyPrefix ?? ''}campaign-control`;

export async function applyTransition(
  redis: Redis,
  campaignId: string,
  event: CampaignEvent,
  opts: { now?: Date } = {},
): ReturnType<typeof setCampaignState> {
  const r = await setCampaignState(redis, campaignId, event, opts);
  const dialing = r.effects.some((e) => e.type === 'startDialing')
    ? 'start'
    : r.effects.some((e) => e.type === 'stopDialing')
      ? 'stop'
      : null;
  if (r.effects.some((e) => e.type === 'publish') || dialing) {
    const msg: ControlMessage = { campaignId, event, state: r.campaign.state, dialing };
    await redis.publish(controlChannel(redis), JSON.stringify(msg));
  }
  return r;
}

/**
 * Subscribes to campaign control on a connection of its own (a subscribed
 * connection cannot run commands); returns the unsubscribe.
 */
export async function onControl(redis: Redis, fn: (m: ControlMessage) => void): Promise<() => Promise<void>> {
  const sub = redis.duplicate();
  const channel = controlChannel(redis);
  sub.on('message', (ch: string, raw: string) => {
    if (ch !== channel) return;
    try {
      fn(JSON.parse(raw) as ControlMessage);
    } catch {
      // A malformed message is ignored: the poll still finds the state.
    }
  });
  await sub.subscribe(channel);
  return async () => {
    await sub.quit().catch(() => sub.disconnect());
  };
}
