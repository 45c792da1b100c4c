#!/usr/bin/env node
import { main } from '../dist/generator/cli.js';

await main(process.argv);
