// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract FeeCollector {
    address public owner;
    address public treasury;

    constructor() {
        owner = msg.sender;
    }

    function setTreasury(address newTreasury) external {
        require(msg.sender == owner, "owner only");
        require(newTreasury != address(0), "zero treasury");
        treasury = newTreasury;
    }
}
