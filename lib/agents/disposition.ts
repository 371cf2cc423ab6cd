/**
 * Whether a disposition may be saved for a call of a campaign (seed 001:
 * "campaign-specific dispositions", "disposition entry on/off"). Pure.
 */
export interface DispositionRules {
  dispositions: readonly { code: string; label: string }[];
  dispositionRequired: boolean;
}

/** The problem with `disposition` for this campaign, or undefined when it is acceptable. */
export function dispositionProblem(campaignId: string, rules: DispositionRules, disposition: string | undefined): string | undefined {
  const codes = rules.dispositions.map((d) => d.code);
  if (disposition === undefined || disposition === '') {
    return rules.dispositionRequired ? `campaign ${campaignId} requires a disposition: one of ${codes.join(', ')}` : undefined;
  }
  if (codes.length === 0) return `campaign ${campaignId} has no dispositions; submit none`;
  if (!codes.includes(disposition)) return `disposition "${disposition}" is not one of campaign ${campaignId}'s: ${codes.join(', ')}`;
  return undefined;
}
