import { aiSdkSource } from './ai-sdk.js';
import { claudeCodeSource } from './claude-code.js';
import { codexSource } from './codex.js';
import { geminiCliSource } from './gemini-cli.js';
import { genaiSource } from './genai.js';
import { opencodeSource } from './opencode.js';
import type { CallSource } from './source.js';
import { toolperfSource } from './toolperf.js';

/**
 * The sources OTLP ingest maps, asked in this order for each record: the first to answer owns it.
 * The agents' own come first (their spans may also look like GenAI ones); the generic GenAI
 * `execute_tool` source last.
 */
export const CALL_SOURCES: readonly CallSource[] = [claudeCodeSource, codexSource, geminiCliSource, opencodeSource, aiSdkSource, toolperfSource, genaiSource];
