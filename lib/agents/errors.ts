/** Errors of the agent desk that are not illegal transitions; the API maps `code` to its catalogue. */
export class AgentDeskError extends Error {
  constructor(
    readonly code: 'NOT_FOUND' | 'CONFLICT' | 'UNPROCESSABLE' | 'UNAVAILABLE',
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AgentDeskError';
  }
}
