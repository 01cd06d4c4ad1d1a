// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// Meant to sit behind a proxy; the initializer can be called by anyone, any number of times.
contract Treasury {
    address public manager;

    function initialize(address manager_) external {
        require(manager_ != address(0), "zero");
        manager = manager_;
    }

    function pay(address payable to, uint256 amount) external {
        require(msg.sender == manager, "manager only");
        to.transfer(amount);
    }
}
