/**
 * The API's one error mapper: domain, store, desk, messaging and webhook
 * errors to the catalogue (lib/api/errors.ts), so those layers stay free of
 * HTTP. The app's error handler (lib/api/app.ts) applies it to whatever a
 * route throws; `mapped` and the routes' wrappers only call it earlier.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors';
import { IllegalTransitionError } from '../domain/campaign';
import { CampaignConflictError, CampaignInvalidError, CampaignNotFoundError, ReferenceNotFoundError } from '../store/campaigns';
import { AgentStoreError } from '../store/agents';
import { DncInputError } from '../store/dnc';
import { CallbackConflictError } from '../store/callbacks';
import { MessageCampaignConflict } from '../store/message-campaigns';
import { AgentDeskError } from '../agents/errors';
import { IllegalAgentTransitionError } from '../agents/state';
import { ChannelUnavailableError, IdempotencyConflictError, MessagingInputError, MessagingNotFoundError } from '../messaging/errors';
import { MessageCampaignStateError } from '../messaging/manage';
import { WebhookInputError } from '../notify/webhooks/store';

export function toApiError(err: unknown): unknown {
  if (err instanceof ApiError) return err;
  if (err instanceof IllegalAgentTransitionError)
    return new ApiError('ILLEGAL_TRANSITION', err.message, { from: err.from, event: err.event });
  if (err instanceof AgentDeskError) {
    const code = (
      { NOT_FOUND: 'NOT_FOUND', CONFLICT: 'CONFLICT', UNPROCESSABLE: 'UNPROCESSABLE', UNAVAILABLE: 'TELEPHONY_UNAVAILABLE' } as const
    )[err.code];
    return new ApiError(code, err.message, err.details);
  }
  if (err instanceof CallbackConflictError) return new ApiError('CONFLICT', err.message);
  if (err instanceof MessagingInputError)
    return new ApiError('VALIDATION_FAILED', err.message, err.field ? { field: err.field } : undefined);
  if (err instanceof MessagingNotFoundError) return new ApiError('NOT_FOUND', err.message);
  if (err instanceof IdempotencyConflictError) return new ApiError('CONFLICT', err.message);
  if (err instanceof MessageCampaignStateError || err instanceof MessageCampaignConflict) return new ApiError('CONFLICT', err.message);
  if (err instanceof ChannelUnavailableError) return new ApiError('TELEPHONY_UNAVAILABLE', err.message);
  if (err instanceof WebhookInputError) return new ApiError('VALIDATION_FAILED', err.message);
  if (err instanceof IllegalTransitionError) return new ApiError('ILLEGAL_TRANSITION', err.message, { from: err.from, event: err.event });
  if (err instanceof CampaignNotFoundError || err instanceof ReferenceNotFoundError) return new ApiError('NOT_FOUND', err.message);
  if (err instanceof CampaignConflictError) return new ApiError(err.code, err.message);
  if (err instanceof CampaignInvalidError) return new ApiError('VALIDATION_FAILED', err.message, { errors: err.errors });
  if (err instanceof DncInputError) return new ApiError('VALIDATION_FAILED', err.message, { field: err.field, value: err.value });
  if (err instanceof AgentStoreError) {
    return new ApiError(
      err.kind === 'not-found' ? 'NOT_FOUND' : err.kind === 'duplicate' ? 'DUPLICATE' : 'IN_USE',
      err.message,
      err.details,
    );
  }
  return err;
}

/** Runs a store call and rethrows its errors as catalogue errors. */
export async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toApiError(err);
  }
}

/** Who did it, for audit trails: the key's name when configured, else its role (and agent). */
export function actorOf(req: FastifyRequest): string {
  const p = req.principal;
  if (!p) return 'anonymous';
  return [p.role, p.name ?? p.agentId].filter(Boolean).join(':');
}
