import type { AgentSetup } from './agent-setup.js';
import { opencodeSetup } from './opencode.js';

/** The agents `toolperf setup` knows, by id. */
export const AGENT_SETUPS: readonly AgentSetup[] = [opencodeSetup];
