/** The part of `smpp` (node-smpp, no published types) the project uses. */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  export interface PDU {
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    response(options?: Record<string, unknown>): PDU;
    isResponse(): boolean;
  }
  export class Session extends EventEmitter {
    server?: Server;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: (pdu: PDU) => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    [command: string]: unknown;
  }
  export class Server extends NetServer {
    sessions: Session[];
  }
  export const PDU: { new (command: string, options?: Record<string, unknown>): PDU };
  export function connect(
    options: { url?: string; host?: string; port?: number; auto_enquire_link_period?: number },
    listener?: () => void,
  ): Session;
  export function createServer(options: Record<string, unknown>, listener?: (session: Session) => void): Server;
  export const errors: Record<string, number>;
  export const consts: Record<string, Record<string, number>>;
  export const ESM_CLASS: Record<string, number>;
  export const MESSAGE_STATE: Record<string, number>;
}
