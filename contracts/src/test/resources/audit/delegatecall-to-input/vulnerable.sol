// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A "plugin host" that runs any helper library the caller names.
contract PluginHost {
    address public admin;
    uint256 public counter;

    constructor() {
        admin = msg.sender;
    }

    function runPlugin(address plugin, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory out) = plugin.delegatecall(data);
        require(ok, "plugin failed");
        return out;
    }
}
