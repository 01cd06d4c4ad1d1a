// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Treasury {
    address public manager;
    bool private initialized;

    function initialize(address manager_) external {
        require(!initialized, "already initialized");
        require(manager_ != address(0), "zero");
        initialized = true;
        manager = manager_;
    }

    function pay(address payable to, uint256 amount) external {
        require(msg.sender == manager, "manager only");
        to.transfer(amount);
    }
}
