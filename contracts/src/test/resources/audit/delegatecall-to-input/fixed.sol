// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract PluginHost {
    address public admin;
    address public immutable plugin;
    uint256 public counter;

    constructor(address plugin_) {
        require(plugin_ != address(0), "plugin");
        admin = msg.sender;
        plugin = plugin_;
    }

    function runPlugin(bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory out) = plugin.delegatecall(data);
        require(ok, "plugin failed");
        return out;
    }
}
