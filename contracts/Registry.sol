// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

/// @title Registry — consortium membership of a Ledger consortium on an EVM chain
/// @notice Mirrors consortium.json (docs/spec/consortium.md): the nodes (lanes) and the parties they host.
///         Governance: the deployer is the bootstrap admin and alone may change the membership until it calls
///         endBootstrap(m). From then on every change needs the signatures of at least m registered parties over a
///         proposal digest and goes through execute(), which calls this contract itself.
/// @dev Names, GLN check digits, company prefixes etc. are not validated here (gas); a node validates what it reads
///      with the same rules as a consortium.json file. Lists keep insertion order; a removal moves the last entry
///      into the hole.
contract Registry {
    /// @notice A change that is neither from the admin during bootstrap nor from execute() afterwards; also
    ///         endBootstrap from another account than the admin, and execute() during bootstrap.
    error NotAuthorized();
    /// @notice endBootstrap after the bootstrap already ended.
    error NotBootstrapping();
    /// @notice The threshold `m` is 0 or greater than the number of parties (also raised by removeParty when the
    ///         removal would leave fewer parties than the threshold).
    error BadThreshold(uint256 m, uint256 parties);
    /// @notice setParty naming a node that is not registered, or removeNode of a node that is not registered.
    error UnknownNode(address node);
    /// @notice removeParty of a party that is not registered.
    error UnknownParty(address party);
    /// @notice removeNode while at least one party is hosted on the node.
    error NodeInUse(address node);
    /// @notice A node, party or hosting node address is zero.
    error ZeroAddress();
    /// @notice execute(): "count" (fewer signatures than the threshold), "order" (signers not strictly ascending),
    ///         "signer" (a signature that does not recover to a registered party), "length" (not 65 bytes).
    error BadSignatures(string reason);
    /// @notice execute(): the approved call reverted; `reason` is its revert data.
    error CallFailed(bytes reason);

    /// @notice A node was inserted or updated.
    event NodeSet(address indexed node, string name, string endpoint);
    /// @notice A node was removed.
    event NodeRemoved(address indexed node);
    /// @notice A party was inserted or updated.
    event PartySet(address indexed party, string name, address indexed node, uint8 roles);
    /// @notice A party was removed.
    event PartyRemoved(address indexed party);
    /// @notice The threshold changed (setThreshold).
    event ThresholdSet(uint256 m);
    /// @notice The bootstrap ended with this threshold.
    event BootstrapEnded(uint256 threshold);
    /// @notice A proposal approved by the parties was executed; `nonce` is the nonce its digest was computed with.
    event Executed(uint256 indexed nonce, bytes32 digest);

    struct Node {
        string name;
        string endpoint;
    }

    struct Party {
        string name;
        address node;
        uint8 roles;
        string[] glns;
        string[] companyPrefixes;
        string[] delegatedGtins;
    }

    /// @dev secp256k1n / 2: signatures with a greater s are malleable twins and are refused.
    uint256 private constant HALF_CURVE_ORDER = 0x7FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF5D576E7357A4501DDFE92F46681B20A0;

    string private _name;
    address private immutable _admin;
    bool private _bootstrapping;
    uint64 private _version;
    uint256 private _threshold;
    uint256 private _nonce;

    address[] private _nodeList;
    mapping(address => uint256) private _nodeSlot; // index in _nodeList + 1; 0 = not a node
    mapping(address => Node) private _nodes;
    mapping(address => uint256) private _nodeParties; // number of parties hosted on the node

    address[] private _partyList;
    mapping(address => uint256) private _partySlot; // index in _partyList + 1; 0 = not a party
    mapping(address => Party) private _parties;

    /// @notice Deploys an empty registry; the sender becomes the bootstrap admin; threshold 0, version 0.
    constructor(string memory consortiumName) {
        _name = consortiumName;
        _admin = msg.sender;
        _bootstrapping = true;
    }

    modifier onlyChange() {
        if (_bootstrapping ? msg.sender != _admin : msg.sender != address(this)) revert NotAuthorized();
        _;
        unchecked {
            _version += 1;
        }
    }

    /// @notice The consortium's name.
    function name() external view returns (string memory) {
        return _name;
    }

    /// @notice The bootstrap admin (the deployer); it has no power once the bootstrap ended.
    function admin() external view returns (address) {
        return _admin;
    }

    /// @notice True until endBootstrap.
    function bootstrapping() external view returns (bool) {
        return _bootstrapping;
    }

    /// @notice Number of party signatures execute() needs (0 during bootstrap unless set).
    function threshold() external view returns (uint256) {
        return _threshold;
    }

    /// @notice Membership version: +1 on every successful change (set, remove, threshold, endBootstrap).
    function version() external view returns (uint64) {
        return _version;
    }

    /// @notice Number of executed proposals; the next proposal's digest uses this value.
    function nonce() external view returns (uint256) {
        return _nonce;
    }

    // ---------------------------------------------------------------- changes

    /// @notice Inserts or updates a node (the lane id is its address).
    function setNode(address node, string calldata name, string calldata endpoint) external onlyChange {
        if (node == address(0)) revert ZeroAddress();
        if (_nodeSlot[node] == 0) {
            _nodeList.push(node);
            _nodeSlot[node] = _nodeList.length;
        }
        Node storage n = _nodes[node];
        n.name = name;
        n.endpoint = endpoint;
        emit NodeSet(node, name, endpoint);
    }

    /// @notice Removes a node that hosts no party.
    function removeNode(address node) external onlyChange {
        uint256 slot = _nodeSlot[node];
        if (slot == 0) revert UnknownNode(node);
        if (_nodeParties[node] != 0) revert NodeInUse(node);
        address last = _nodeList[_nodeList.length - 1];
        _nodeList[slot - 1] = last;
        _nodeSlot[last] = slot;
        _nodeList.pop();
        delete _nodeSlot[node];
        delete _nodes[node];
        emit NodeRemoved(node);
    }

    /// @notice Inserts or updates a party hosted on a registered node. `roles` is the PartyRoles bitmask
    ///         (1 manufacturer, 2 wholesaler, 4 dispenser, 8 regulator).
    function setParty(
        address party,
        string calldata name,
        address node,
        uint8 roles,
        string[] calldata glns,
        string[] calldata companyPrefixes,
        string[] calldata delegatedGtins
    ) external onlyChange {
        if (party == address(0) || node == address(0)) revert ZeroAddress();
        if (_nodeSlot[node] == 0) revert UnknownNode(node);
        Party storage p = _parties[party];
        if (_partySlot[party] == 0) {
            _partyList.push(party);
            _partySlot[party] = _partyList.length;
        } else {
            _nodeParties[p.node] -= 1;
        }
        _nodeParties[node] += 1;
        p.name = name;
        p.node = node;
        p.roles = roles;
        _copy(p.glns, glns);
        _copy(p.companyPrefixes, companyPrefixes);
        _copy(p.delegatedGtins, delegatedGtins);
        emit PartySet(party, name, node, roles);
    }

    /// @notice Removes a party; refused (BadThreshold) when fewer parties than the threshold would remain.
    function removeParty(address party) external onlyChange {
        uint256 slot = _partySlot[party];
        if (slot == 0) revert UnknownParty(party);
        uint256 remaining = _partyList.length - 1;
        if (_threshold > remaining) revert BadThreshold(_threshold, remaining);
        Party storage p = _parties[party];
        _nodeParties[p.node] -= 1;
        _clear(p.glns);
        _clear(p.companyPrefixes);
        _clear(p.delegatedGtins);
        delete _parties[party];
        address last = _partyList[remaining];
        _partyList[slot - 1] = last;
        _partySlot[last] = slot;
        _partyList.pop();
        delete _partySlot[party];
        emit PartyRemoved(party);
    }

    /// @notice Sets the number of party signatures execute() needs: 1 <= m <= partyCount().
    function setThreshold(uint256 m) external onlyChange {
        _checkThreshold(m);
        _threshold = m;
        emit ThresholdSet(m);
    }

    /// @notice Ends the bootstrap (admin only, once): threshold = m; from now on changes go through execute().
    function endBootstrap(uint256 m) external {
        if (!_bootstrapping) revert NotBootstrapping();
        if (msg.sender != _admin) revert NotAuthorized();
        _checkThreshold(m);
        _threshold = m;
        _bootstrapping = false;
        unchecked {
            _version += 1;
        }
        emit BootstrapEnded(m);
    }

    // ---------------------------------------------------------------- proposals

    /// @notice The digest the parties sign for `data` (ABI-encoded call of a change function) at the current nonce:
    ///         keccak256(abi.encode(block.chainid, address(this), nonce(), keccak256(data))).
    function proposalDigest(bytes calldata data) public view returns (bytes32) {
        return keccak256(abi.encode(block.chainid, address(this), _nonce, keccak256(data)));
    }

    /// @notice Executes a change approved by at least threshold() parties. Each signature is 65 bytes r||s||v
    ///         (v 27 or 28, s in the lower half of the curve order) over the EIP-191 hash
    ///         keccak256("\x19Ethereum Signed Message:\n32" || proposalDigest(data)); the recovered signers must be
    ///         registered parties in strictly ascending address order. Then nonce += 1 and the contract calls
    ///         itself with `data`; if that call reverts, execute reverts with CallFailed(its revert data).
    function execute(bytes calldata data, bytes[] calldata signatures) external {
        if (_bootstrapping) revert NotAuthorized();
        if (signatures.length < _threshold) revert BadSignatures("count");
        bytes32 digest = proposalDigest(data);
        bytes32 signed = keccak256(abi.encodePacked("\x19Ethereum Signed Message:\n32", digest));
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; ++i) {
            bytes calldata sig = signatures[i];
            if (sig.length != 65) revert BadSignatures("length");
            address signer = _recover(signed, sig);
            if (signer == address(0) || _partySlot[signer] == 0) revert BadSignatures("signer");
            if (signer <= previous) revert BadSignatures("order");
            previous = signer;
        }
        uint256 used = _nonce;
        _nonce = used + 1;
        (bool ok, bytes memory ret) = address(this).call(data);
        if (!ok) revert CallFailed(ret);
        emit Executed(used, digest);
    }

    // ---------------------------------------------------------------- reads

    /// @notice Number of registered nodes.
    function nodeCount() external view returns (uint256) {
        return _nodeList.length;
    }

    /// @notice Node number `i` (0-based). Reverts with Panic(0x32) when out of range.
    function nodeAt(uint256 i) external view returns (address node, string memory name, string memory endpoint) {
        node = _nodeList[i];
        Node storage n = _nodes[node];
        return (node, n.name, n.endpoint);
    }

    /// @notice Number of registered parties.
    function partyCount() external view returns (uint256) {
        return _partyList.length;
    }

    /// @notice Party number `i` (0-based). Reverts with Panic(0x32) when out of range.
    function partyAt(uint256 i)
        external
        view
        returns (
            address party,
            string memory name,
            address node,
            uint8 roles,
            string[] memory glns,
            string[] memory companyPrefixes,
            string[] memory delegatedGtins
        )
    {
        party = _partyList[i];
        Party storage p = _parties[party];
        return (party, p.name, p.node, p.roles, p.glns, p.companyPrefixes, p.delegatedGtins);
    }

    /// @notice True when `a` is a registered node.
    function isNode(address a) external view returns (bool) {
        return _nodeSlot[a] != 0;
    }

    /// @notice True when `a` is a registered party.
    function isParty(address a) external view returns (bool) {
        return _partySlot[a] != 0;
    }

    // ---------------------------------------------------------------- internals

    function _checkThreshold(uint256 m) private view {
        if (m == 0 || m > _partyList.length) revert BadThreshold(m, _partyList.length);
    }

    function _copy(string[] storage to, string[] calldata from) private {
        _clear(to);
        for (uint256 i = 0; i < from.length; ++i) to.push(from[i]);
    }

    function _clear(string[] storage list) private {
        while (list.length != 0) list.pop();
    }

    /// @dev ecrecover with the malleability checks: v in {27, 28}, s <= secp256k1n/2; 0 when invalid.
    function _recover(bytes32 hash, bytes calldata sig) private pure returns (address) {
        bytes32 r = bytes32(sig[0:32]);
        bytes32 s = bytes32(sig[32:64]);
        uint8 v = uint8(sig[64]);
        if (v != 27 && v != 28) return address(0);
        if (uint256(s) > HALF_CURVE_ORDER) return address(0);
        return ecrecover(hash, v, r, s);
    }
}
