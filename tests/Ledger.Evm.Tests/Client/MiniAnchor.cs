using System.Diagnostics;
using Ledger.Evm.Tests.Chain;
using Ledger.Protocol;

namespace Ledger.Evm.Tests.Client;

/// <summary>
/// A tiny contract following the Anchor interface (docs/spec/evm-client.md, the contracts' interface), compiled once per
/// test run with the pinned solc-js, to exercise the bindings, logs and revert decoding independently of contracts/out.
/// </summary>
internal static class MiniAnchor
{
    private const string Source = """
        // SPDX-License-Identifier: MIT
        pragma solidity ^0.8.20;
        contract MiniAnchor {
            error ZeroSize();
            error ZeroRoot();
            error AlreadyAnchored(uint64 size, bytes32 root);
            error SizeNotGrowing(uint64 latest, uint64 size);
            event Anchored(address indexed lane, uint64 indexed size, bytes32 root);
            struct E { uint64 size; bytes32 root; uint64 blockNumber; }
            mapping(address => E[]) private _entries;
            mapping(address => mapping(uint64 => bytes32)) private _roots;
            function anchor(uint64 size, bytes32 root) external {
                if (size == 0) revert ZeroSize();
                if (root == 0) revert ZeroRoot();
                bytes32 existing = _roots[msg.sender][size];
                if (existing != 0) revert AlreadyAnchored(size, existing);
                E[] storage list = _entries[msg.sender];
                if (list.length > 0 && size <= list[list.length - 1].size) revert SizeNotGrowing(list[list.length - 1].size, size);
                _roots[msg.sender][size] = root;
                list.push(E(size, root, uint64(block.number)));
                emit Anchored(msg.sender, size, root);
            }
            function latest(address lane) external view returns (uint64 size, bytes32 root) {
                E[] storage l = _entries[lane];
                if (l.length == 0) return (0, 0);
                return (l[l.length - 1].size, l[l.length - 1].root);
            }
            function rootAt(address lane, uint64 size) external view returns (bytes32) { return _roots[lane][size]; }
            function anchorCount(address lane) external view returns (uint256) { return _entries[lane].length; }
            function anchorAt(address lane, uint256 index) external view returns (uint64, bytes32, uint64) {
                E storage e = _entries[lane][index];
                return (e.size, e.root, e.blockNumber);
            }
        }
        """;

    private static readonly Lazy<Task<byte[]>> Compiled = new(CompileAsync);

    public static Task<byte[]> BytecodeAsync() => Compiled.Value;

    private static async Task<byte[]> CompileAsync()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ledger-evm-mini-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "MiniAnchor.sol"), Source);
            var start = new ProcessStartInfo(AnvilProcess.NpmBinary("solcjs")) { WorkingDirectory = dir, RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in new[] { "--bin", "--optimize", "-o", "out", "MiniAnchor.sol" })
                start.ArgumentList.Add(a);
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            await process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync();
            var bin = Path.Combine(dir, "out", "MiniAnchor_sol_MiniAnchor.bin");
            if (process.ExitCode != 0 || !File.Exists(bin))
                throw new InvalidOperationException("solcjs failed: " + await stderr);
            return Hex.Decode((await File.ReadAllTextAsync(bin)).Trim());
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
