#!/usr/bin/env node
// Compiles contracts/Registry.sol and contracts/Anchor.sol with the npm-pinned solc-js (standard-JSON API) and writes
// one artifact per contract: {contractName, compiler, settings, abi, bytecode, deployedBytecode}, 2-space JSON with
// a final newline. Usage: node contracts/build.js [--out <dir>]   (default: contracts/out)
// The settings are fixed and the metadata hash is off, so the output depends only on the sources and the compiler.
'use strict';

const fs = require('fs');
const path = require('path');
const solc = require('solc');

const EXPECTED_COMPILER = '0.8.30';
const CONTRACTS = ['Registry', 'Anchor'];

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  metadata: { bytecodeHash: 'none', appendCBOR: false },
  outputSelection: {
    '*': { '*': ['abi', 'evm.bytecode.object', 'evm.deployedBytecode.object'] },
  },
};

function fail(message) {
  process.stderr.write(`build.js: ${message}\n`);
  process.exit(1);
}

function parseArgs(argv) {
  let out = path.join(__dirname, 'out');
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--out') {
      if (i + 1 >= argv.length) fail('--out needs a directory');
      out = path.resolve(argv[++i]);
    } else {
      fail(`unknown argument ${argv[i]} (usage: node contracts/build.js [--out <dir>])`);
    }
  }
  return out;
}

function isNameShadowing(d, sources) {
  const at = d.sourceLocation;
  if (d.severity !== 'warning' || d.errorCode !== '8760' || !at || at.file !== 'Registry.sol') return false;
  // Source locations are byte offsets into the UTF-8 source.
  const declaration = Buffer.from(sources[at.file].content, 'utf8').subarray(at.start, at.end).toString('utf8');
  return /^string (calldata|memory) name$/.test(declaration);
}

function main() {
  const outDir = parseArgs(process.argv.slice(2));
  const version = solc.version();
  if (!version.startsWith(EXPECTED_COMPILER + '+')) fail(`solc-js ${version} found, ${EXPECTED_COMPILER} expected (run scripts/setup)`);

  // Source units are named by file name only, so no path of the build machine reaches the output.
  const sources = {};
  for (const name of CONTRACTS) {
    sources[`${name}.sol`] = { content: fs.readFileSync(path.join(__dirname, `${name}.sol`), 'utf8') };
  }
  const input = { language: 'Solidity', sources, settings: SETTINGS };
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: (p) => ({ error: `imports are not allowed: ${p}` }) }));

  // Any diagnostic (error or warning) fails the build: the contracts compile cleanly or not at all. The one exception:
  // Registry's parameters and return values called `name` (as in the normative interface, so the ABI carries those
  // names) shadow its name() function (warning 8760); only that exact case is tolerated.
  const diagnostics = (output.errors || []).filter((d) => !isNameShadowing(d, sources));
  if (diagnostics.length > 0) {
    for (const d of diagnostics) process.stderr.write((d.formattedMessage || d.message) + '\n');
    fail(`${diagnostics.length} compiler diagnostic(s)`);
  }

  fs.mkdirSync(outDir, { recursive: true });
  for (const name of CONTRACTS) {
    const unit = output.contracts && output.contracts[`${name}.sol`];
    const compiled = unit && unit[name];
    if (!compiled) fail(`no output for ${name}`);
    const bytecode = compiled.evm.bytecode.object;
    const deployed = compiled.evm.deployedBytecode.object;
    if (!bytecode || !deployed) fail(`empty bytecode for ${name}`);
    const artifact = {
      contractName: name,
      compiler: `solc-js ${version}`,
      settings: SETTINGS,
      abi: compiled.abi,
      bytecode: '0x' + bytecode,
      deployedBytecode: '0x' + deployed,
    };
    const file = path.join(outDir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify(artifact, null, 2) + '\n');
    process.stdout.write(`build.js: ${name}: ${bytecode.length / 2} bytes init code, ${deployed.length / 2} bytes runtime -> ${file}\n`);
  }
}

main();
