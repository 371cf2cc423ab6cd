/**
 * Message campaigns (seed 003): SMS or e-mail to every contact of a list, a
 * template filled from contact fields or a per-contact message column, a send
 * window and rate cap, on/off. Types, defaults and validation; pure.
 */
import { validateHours, type BusinessHours } from '../rules/hours';
import { checkTemplate } from './template';
import { customKeywordProblems, type CustomKeyword } from './keywords';
import { linkLengthWarning } from './text';

export const MESSAGE_CAMPAIGN_STATES = ['draft', 'running', 'paused', 'completed'] as const;
export type MessageCampaignState = (typeof MESSAGE_CAMPAIGN_STATES)[number];

export interface MessageCampaignSettings {
  name: string;
  kind: 'sms' | 'email';
  listId: string;
  /** Body template with {{field}} placeholders; ignored for contacts that have `messageField`. */
  template: string;
  /** Attribute column carrying a ready per-contact message (seed 003); takes precedence over the template. */
  messageField: string | null;
  /** E-mail subject template. */
  subject: string;
  /** Attribute column holding the contact's e-mail address. */
  emailField: string;
  /** Sender number / address; the channel's default when null. */
  from: string | null;
  /** Send only inside these hours (contact's own time zone when it has one); null = any time. */
  window: BusinessHours | null;
  /** Messages per second at most. */
  ratePerSec: number;
  helpText: string | null;
  keywords: CustomKeyword[];
  /** An SMS opt-out also bars voice calls (one suppression list across channels). */
  optOutVoice: boolean;
  /** Voice campaigns whose own do-not-call lists also apply (the global list always does). */
  dncCampaigns: string[];
}

export interface MessageCampaign extends MessageCampaignSettings {
  id: string;
  state: MessageCampaignState;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
}

export function messageCampaignDefaults(): Omit<MessageCampaignSettings, 'name' | 'kind' | 'listId'> {
  return {
    template: '',
    messageField: null,
    subject: '',
    emailField: 'email',
    from: null,
    window: null,
    ratePerSec: 10,
    helpText: null,
    keywords: [],
    optOutVoice: true,
    dncCampaigns: [],
  };
}

/** Rule breaks JSON Schema cannot express; empty when valid. */
export function validateMessageCampaign(s: MessageCampaignSettings): string[] {
  const errs: string[] = [];
  if (!s.template && !s.messageField) errs.push('give a template or a messageField (a per-contact message column)');
  const t = s.template ? checkTemplate(s.template) : undefined;
  if (t) errs.push(`template: ${t}`);
  const subj = s.subject ? checkTemplate(s.subject) : undefined;
  if (subj) errs.push(`subject: ${subj}`);
  if (s.kind === 'email' && !s.subject) errs.push('an e-mail campaign needs a subject');
  if (s.window) errs.push(...validateHours(s.window).map((e) => e.replace(/^hours/, 'window')));
  errs.push(...customKeywordProblems(s.keywords));
  return errs;
}

/** Warnings for the campaign's template as written (placeholders make the real length unknown; checked again per message). */
export function campaignWarnings(s: MessageCampaignSettings): string[] {
  const w: string[] = [];
  if (s.kind === 'sms' && s.template) {
    const x = linkLengthWarning(s.template);
    if (x) w.push(`template: ${x}`);
  }
  return w;
}
