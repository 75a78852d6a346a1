// alerts: rules from daemon.json ("alerts": [{filters, exclude, threshold, webhook}]) matched
// against the engine's events and delivered to webhooks with retries. Vocabulary: rule,
// delivery, webhook.
export { parseAlertRules, RuleMatcher, type AlertRule } from './rules.ts';
export { AlertDispatcher, type DeliveryResult, type DispatcherOptions } from './dispatcher.ts';
