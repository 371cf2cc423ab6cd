/**
 * Request bodies for each webhook format. `json` carries the event as it is;
 * the chat formats turn seed 004's human-facing notices into a message for
 * Slack (incoming webhook), Microsoft Teams (Workflows / incoming webhook with
 * an Adaptive Card), LINE (Messaging API push) and Chatwork (room message API,
 * form-encoded). Pure.
 */
export const FORMATS = ['json', 'slack', 'teams', 'line', 'chatwork'] as const;
export type Format = (typeof FORMATS)[number];

/** The notices a person wants in a chat room (seed 004), by event type. */
export const NOTICE_TYPES = [
  'campaign.completed',
  'campaign.abandon-warning',
  'callback.due',
  'agent.released',
  'transfer.failed',
  'transfer.succeeded',
  'inbound.ivr',
  'message.reply',
] as const;
export type NoticeType = (typeof NOTICE_TYPES)[number];

/** An event as read from the webhook log. */
export interface WebhookEvent {
  /** Log (stream) id: the replay position. */
  id: string;
  type: string;
  at: number;
  campaignId?: string;
  agentId?: string;
  data: Record<string, unknown>;
}

export interface Notice {
  title: string;
  text: string;
}

const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(1)} %` : '?');
const when = (ms: unknown) => (typeof ms === 'number' ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) + ' UTC' : '?');

/** The title and text of a notice; a generic line for any other event type. */
export function noticeOf(e: WebhookEvent): Notice {
  const d = e.data;
  const campaign = String(d.campaignName ?? e.campaignId ?? '');
  switch (e.type) {
    case 'campaign.completed':
      return { title: `Campaign ${campaign} finished`, text: `Every contact of campaign ${campaign} has a final result (${when(e.at)}).` };
    case 'campaign.abandon-warning':
      return {
        title: `Abandon rate near the cap: ${campaign}`,
        text: `Campaign ${campaign}: abandon rate ${pct(d.rate)} (${String(d.abandoned)} of ${String(d.live)} live answers) against a cap of ${String(d.capPct)} %. Add agents or lower the dial ratio.`,
      };
    case 'callback.due':
      return {
        title: `Callback due${e.agentId ? ` for ${e.agentId}` : ''}`,
        text: `Callback to contact ${String(d.contactId ?? d.ref ?? '?')} (campaign ${campaign}) is due at ${when(d.dueAt ?? e.at)}.`,
      };
    case 'agent.released':
      return {
        title: `Agent ${e.agentId ?? '?'} released`,
        text: `Agent ${e.agentId ?? '?'} was logged out automatically: ${String(d.reason ?? 'idle limit reached')}.`,
      };
    case 'transfer.failed':
      return {
        title: `Transfer failed${e.agentId ? ` (${e.agentId})` : ''}`,
        text: `Transfer to ${String(d.target ?? '?')} failed: ${String(d.error ?? 'unknown error')}. The customer is back with the agent.`,
      };
    case 'transfer.succeeded':
      return {
        title: `Transfer succeeded${e.agentId ? ` (${e.agentId})` : ''}`,
        text: `Call${d.caller ? ` from ${String(d.caller)}` : ''} transferred to ${String(d.target ?? '?')}${d.how ? ` (${String(d.how)})` : ''}.`,
      };
    case 'inbound.ivr':
      // Seed 004: "inbound call handled by IVR".
      return {
        title: `Inbound call handled by IVR`,
        text: `Call from ${String(d.caller ?? 'a withheld number')} to ${String(d.did ?? '?')} was handled by the IVR at ${String(d.target ?? '?')} (${when(e.at)}).`,
      };
    case 'message.reply':
      // Seed 004: "SMS reply received".
      return {
        title: `SMS reply received from ${String(d.from ?? '?')}`,
        text: `${String(d.from ?? '?')} replied${campaign ? ` (campaign ${campaign})` : ''}: "${String(d.body ?? '').slice(0, 500)}"${d.action && d.action !== 'none' ? ` — handled as ${String(d.action)}` : ''}.`,
      };
    default:
      return { title: e.type, text: `${e.type}${campaign ? ` (campaign ${campaign})` : ''} at ${when(e.at)}` };
  }
}

export interface FormattedRequest {
  body: string;
  contentType: string;
}

/** LINE text messages hold at most 5000 characters. */
const LINE_MAX = 5000;

export function formatEvent(format: Format, e: WebhookEvent, opts: { lineTo?: string } = {}): FormattedRequest {
  if (format === 'json') {
    return {
      contentType: 'application/json',
      body: JSON.stringify({
        id: e.id,
        type: e.type,
        at: new Date(e.at).toISOString(),
        campaignId: e.campaignId,
        agentId: e.agentId,
        data: e.data,
      }),
    };
  }
  const n = noticeOf(e);
  switch (format) {
    case 'slack':
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          text: `${n.title}: ${n.text}`,
          blocks: [
            { type: 'header', text: { type: 'plain_text', text: n.title.slice(0, 150) } },
            { type: 'section', text: { type: 'mrkdwn', text: n.text } },
          ],
        }),
      };
    case 'teams':
      return {
        contentType: 'application/json',
        body: JSON.stringify({
          type: 'message',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.card.adaptive',
              content: {
                $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
                type: 'AdaptiveCard',
                version: '1.4',
                body: [
                  { type: 'TextBlock', text: n.title, weight: 'Bolder', size: 'Medium', wrap: true },
                  { type: 'TextBlock', text: n.text, wrap: true },
                ],
              },
            },
          ],
        }),
      };
    case 'line':
      return {
        contentType: 'application/json',
        body: JSON.stringify({ to: opts.lineTo, messages: [{ type: 'text', text: `${n.title}\n${n.text}`.slice(0, LINE_MAX) }] }),
      };
    case 'chatwork':
      return {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({ body: `[info][title]${n.title}[/title]${n.text}[/info]` }).toString(),
      };
  }
}
