import type * as ContextAsyncHooksModule from '@opentelemetry/context-async-hooks';
import type * as CoreModule from '@opentelemetry/core';
import type * as ResourcesModule from '@opentelemetry/resources';
import type * as SdkMetricsModule from '@opentelemetry/sdk-metrics';
import type * as SdkTraceModule from '@opentelemetry/sdk-trace-base';
import { requireLazily } from '../util/require-lazily.js';

/**
 * The OpenTelemetry SDK packages, loaded on first use: a disabled tracker (and a process that only
 * reads reports) never pays for them. They ship CommonJS as their only entry point (no `exports`
 * map), so `require` gives the very module instances an `import` of them would.
 */
type SdkTrace = typeof SdkTraceModule;
type SdkMetrics = typeof SdkMetricsModule;
type Resources = typeof ResourcesModule;
type Core = typeof CoreModule;
type ContextAsyncHooks = typeof ContextAsyncHooksModule;

export const sdkTrace = (): SdkTrace => requireLazily<SdkTrace>('@opentelemetry/sdk-trace-base');
export const sdkMetrics = (): SdkMetrics => requireLazily<SdkMetrics>('@opentelemetry/sdk-metrics');
export const resources = (): Resources => requireLazily<Resources>('@opentelemetry/resources');
export const core = (): Core => requireLazily<Core>('@opentelemetry/core');
export const contextAsyncHooks = (): ContextAsyncHooks => requireLazily<ContextAsyncHooks>('@opentelemetry/context-async-hooks');
