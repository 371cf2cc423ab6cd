/**
 * The live monitor (hub, SSE fan-out, webhooks delivery, metrics) as the app's plugin: it lives with the
 * monitor's code (lib/monitor/plugin.ts), is listed here so the app plugins are in one folder, and closes
 * its timers and subscribers in its onClose.
 */
export { monitor as default } from '../../../monitor/plugin';
