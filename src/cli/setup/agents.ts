import type { AgentSetup } from './agent-setup.js';
import { claudeCodeSetup } from './claude-code.js';
import { codexSetup } from './codex.js';
import { geminiCliSetup } from './gemini-cli.js';
import { opencodeSetup } from './opencode.js';

/** The agents `toolperf setup` knows, by id. */
export const AGENT_SETUPS: readonly AgentSetup[] = [claudeCodeSetup, codexSetup, geminiCliSetup, opencodeSetup];
