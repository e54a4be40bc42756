#!/usr/bin/env node
// The `vppnet-cni` CNI plugin binary. The container runtime runs it once per pod sandbox and
// network operation; it forwards the request to the vppnet agent and prints the agent's answer.
require('../dist/bin.js').main();
