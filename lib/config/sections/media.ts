/** Audio analysis settings (lib/media). Owned by the audio-analysis work. */
export const mediaSchema = {
  type: 'object',
  additionalProperties: true,
  default: {},
  properties: {},
} as const;

export type MediaConfig = Record<string, unknown>;
