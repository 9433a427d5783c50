import type { AgentSetup } from './agent-setup.js';

/** The agents `toolperf setup` knows, by id. */
export const AGENT_SETUPS: readonly AgentSetup[] = [];
