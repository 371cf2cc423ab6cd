/**
 * Maps the errors of the campaigns, agents and DNC stores to the API's
 * catalogue, so the stores stay free of HTTP.
 */
import type { FastifyRequest } from 'fastify';
import { ApiError } from './errors';
import { IllegalTransitionError } from '../domain/campaign';
import { CampaignConflictError, CampaignInvalidError, CampaignNotFoundError, ReferenceNotFoundError } from '../store/campaigns';
import { AgentStoreError } from '../store/agents';
import { DncInputError } from '../store/dnc';

export function toApiError(err: unknown): unknown {
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
