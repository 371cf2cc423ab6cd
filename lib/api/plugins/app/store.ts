/**
 * The store's repositories as the routes use them, decorated on the instance
 * (`app.store.campaigns.get(id)`), each bound to the app's Redis. Routes reach
 * the store only through here, never by importing lib/store
 * (test/unit/house/structure.test.ts); the few store classes and types a route
 * needs (errors it tells apart, record shapes) are re-exported below.
 * Owns nothing to close: the Redis connection is the caller's (plugins/app/config.ts).
 */
import fp from 'fastify-plugin';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import {
  attachList,
  createCampaign,
  deleteCampaign,
  detachList,
  getCampaign,
  listCampaigns,
  setAllocation,
  setListActive,
  updateCampaign,
} from '../../../store/campaigns';
import { getDialingStatus } from '../../../store/campaign-dialing';
import {
  createAgent,
  createGroup,
  deleteAgent,
  deleteGroup,
  getAgent,
  getGroup,
  listAgents,
  listGroups,
  updateAgent,
  updateGroup,
} from '../../../store/agents';
import { createList, deleteList, getList, listLists } from '../../../store/lists';
import { addContacts, deleteContact, getContact, pageContacts, reserveHeadBlock } from '../../../store/contacts';
import { buildRelist } from '../../../store/relist';
import { searchCustomers } from '../../../store/customer-search';
import { dncAudit, getDncEntry, isDoNotCall, listDncEntries, putDncEntries, removeDncEntries } from '../../../store/dnc';
import { importDncCsv } from '../../../store/dnc-import';
import { getAgentLive, listLiveAgents } from '../../../store/agent-live';
import { completeUnsaved, getUnsaved, listUnsaved } from '../../../store/agent-unsaved';
import { saveDispositionAndDecide } from '../../../dialer/agent-decision';
import type { DialerEvent } from '../../../dialer/events';
import type { DispositionRecord } from '../../../store/agent-dispositions';
import { fromDialerEvent } from '../../../monitor/sources';
import { createCallback, getCallback, listCallbacks, updateCallback } from '../../../store/callbacks';
import { getMessage, iterateMessages, msgGlobal, pageMessages } from '../../../store/messages';
import { getMessageCampaign, listMessageCampaigns } from '../../../store/message-campaigns';

export { ListExistsError, ListInUseError, type ContactList } from '../../../store/lists';
export type { RowStatus, StoredRow } from '../../../store/contacts';
export { DNC_CHANNELS, makeEntry, type DncChannel, type DncInput, type DncScope } from '../../../store/dnc';
export { DncFileError } from '../../../store/dnc-import';
export type { RelistQuery } from '../../../store/relist';
export type { CustomerHit, SearchCursor } from '../../../store/customer-search';
export type { AgentLive } from '../../../store/agent-live';
export type { UnsavedRecord } from '../../../store/agent-unsaved';
export type { Callback, CallbackPatch } from '../../../store/callbacks';
export { MESSAGE_STATUSES, type MessageRecord } from '../../../store/messages';

/** A store function with the Redis client already given. */
type Bound<T> = { [K in keyof T]: T[K] extends (redis: Redis, ...args: infer A) => infer R ? (...args: A) => R : never };

function bind<T extends Record<string, (redis: Redis, ...args: never[]) => unknown>>(redis: Redis, fns: T): Bound<T> {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(fns)) out[name] = (...args: never[]) => fn(redis, ...args);
  return out as Bound<T>;
}

function repositories(redis: Redis, publish?: (e: DialerEvent) => void) {
  return {
    campaigns: bind(redis, {
      get: getCampaign,
      list: listCampaigns,
      create: createCampaign,
      update: updateCampaign,
      delete: deleteCampaign,
      attachList,
      detachList,
      setListActive,
      setAllocation,
      dialingStatus: getDialingStatus,
    }),
    agents: bind(redis, { get: getAgent, list: listAgents, create: createAgent, update: updateAgent, delete: deleteAgent }),
    groups: bind(redis, { get: getGroup, list: listGroups, create: createGroup, update: updateGroup, delete: deleteGroup }),
    lists: bind(redis, { get: getList, list: listLists, create: createList, delete: deleteList, buildRelist }),
    contacts: bind(redis, { add: addContacts, reserveHeadBlock, get: getContact, page: pageContacts, delete: deleteContact }),
    customers: bind(redis, { search: searchCustomers }),
    dnc: bind(redis, {
      put: putDncEntries,
      remove: removeDncEntries,
      get: getDncEntry,
      isDoNotCall,
      list: listDncEntries,
      audit: dncAudit,
      importCsv: importDncCsv,
    }),
    agentLive: bind(redis, { get: getAgentLive, list: listLiveAgents }),
    unsaved: bind(redis, { get: getUnsaved, list: listUnsaved, complete: completeUnsaved }),
    // The agent decides a not-sure call's result by the disposition (lib/dialer/agent-decision.ts).
    // A re-coding is announced on the monitor hub (webhooks, SSE, metrics) as attempt.recoded.
    dispositions: { save: (d: DispositionRecord) => saveDispositionAndDecide(redis, d, publish) },
    callbacks: bind(redis, { create: createCallback, get: getCallback, list: listCallbacks, update: updateCallback }),
    messages: {
      ...bind(redis, { get: getMessage, page: pageMessages, iterate: iterateMessages }),
      /** The newest inbound messages (replies, opt-outs), newest first: raw stream entries. */
      recentInbound: (limit: number) => redis.xrevrange(msgGlobal.inbound, '+', '-', 'COUNT', limit),
    },
    messageCampaigns: bind(redis, { get: getMessageCampaign, list: listMessageCampaigns }),
  };
}

export type Repositories = ReturnType<typeof repositories>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The store's repositories, bound to `app.redis` (lib/api/plugins/store.ts). */
    store: Repositories;
  }
}

export const storePlugin = fp(
  async (app: FastifyInstance) => {
    // The monitor registers after the store: looked up when a disposition is saved.
    app.decorate(
      'store',
      repositories(app.redis, (e) => {
        if (app.hasDecorator('monitor')) app.monitor.hub.publish(fromDialerEvent(e));
      }),
    );
  },
  { name: 'store', decorators: { fastify: ['redis'] } },
);

export default storePlugin;
