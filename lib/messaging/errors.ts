/** Errors of the messaging core; the API maps them to its catalogue. */
export class MessagingInputError extends Error {
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'MessagingInputError';
  }
}
export class MessagingNotFoundError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MessagingNotFoundError';
  }
}
/** No channel configured / started for the message kind. */
export class ChannelUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChannelUnavailableError';
  }
}
/** An idempotency key reused with a different request. */
export class IdempotencyConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdempotencyConflictError';
  }
}
