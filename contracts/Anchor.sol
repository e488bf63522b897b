// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Anchor — lane heads of the Ledger consortium on an EVM chain
/// @notice One contract serves every lane. A lane is identified by the address that sends the transaction (the node
///         key that signs the lane's headers), so a node can only anchor its own lane. An anchor is the lane's Merkle
///         log at a size: (size = BlockHeader.LogSize, root = BlockHeader.LogRoot) of a certified header.
/// @dev Rules (checked in this order): size != 0, root != 0, no root stored yet for (lane, size), size strictly greater
///      than the lane's latest anchored size. Anchors are append-only; nothing is ever overwritten or removed.
contract Anchor {
    /// @notice The size is zero (an empty log is never anchored).
    error ZeroSize();
    /// @notice The root is zero.
    error ZeroRoot();
    /// @notice This lane already anchored this size; `root` is the stored root (equal or conflicting).
    error AlreadyAnchored(uint64 size, bytes32 root);
    /// @notice `size` is not greater than the lane's latest anchored size `latest`.
    error SizeNotGrowing(uint64 latest, uint64 size);

    /// @notice A lane anchored its log at `size` with `root`.
    event Anchored(address indexed lane, uint64 indexed size, bytes32 root);

    struct Entry {
        uint64 size;
        uint64 blockNumber;
        bytes32 root;
    }

    mapping(address => Entry[]) private _entries;
    mapping(address => mapping(uint64 => bytes32)) private _roots;

    /// @notice Anchors the sender's lane at `size` with `root`.
    /// @param size the log size (number of leaves), > 0 and greater than the lane's latest anchored size
    /// @param root the Merkle root of the log at that size, not zero
    function anchor(uint64 size, bytes32 root) external {
        if (size == 0) revert ZeroSize();
        if (root == bytes32(0)) revert ZeroRoot();
        bytes32 stored = _roots[msg.sender][size];
        if (stored != bytes32(0)) revert AlreadyAnchored(size, stored);
        Entry[] storage entries = _entries[msg.sender];
        uint256 count = entries.length;
        if (count != 0) {
            uint64 latestSize = entries[count - 1].size;
            if (size <= latestSize) revert SizeNotGrowing(latestSize, size);
        }
        _roots[msg.sender][size] = root;
        entries.push(Entry({size: size, blockNumber: uint64(block.number), root: root}));
        emit Anchored(msg.sender, size, root);
    }

    /// @notice The lane's latest anchor, or (0, 0) when the lane has none.
    function latest(address lane) external view returns (uint64 size, bytes32 root) {
        Entry[] storage entries = _entries[lane];
        uint256 count = entries.length;
        if (count == 0) return (0, bytes32(0));
        Entry storage e = entries[count - 1];
        return (e.size, e.root);
    }

    /// @notice The root the lane anchored at `size`, or 0 when that size was not anchored.
    function rootAt(address lane, uint64 size) external view returns (bytes32) {
        return _roots[lane][size];
    }

    /// @notice Number of anchors of the lane.
    function anchorCount(address lane) external view returns (uint256) {
        return _entries[lane].length;
    }

    /// @notice The lane's anchor number `index` (0-based, in anchoring order) and the block that included it.
    /// @dev Reverts with Panic(0x32) when `index >= anchorCount(lane)`.
    function anchorAt(address lane, uint256 index) external view returns (uint64 size, bytes32 root, uint64 blockNumber) {
        Entry storage e = _entries[lane][index];
        return (e.size, e.root, e.blockNumber);
    }
}
