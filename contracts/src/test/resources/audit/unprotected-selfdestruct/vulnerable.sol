// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// A raffle whose shutdown was meant for the operator only.
contract Raffle {
    address public operator;
    address[] public tickets;

    constructor() {
        operator = msg.sender;
    }

    function buy() external payable {
        require(msg.value == 0.01 ether, "price");
        tickets.push(msg.sender);
    }

    function shutdown(address payable to) external {
        close(to);
    }

    function close(address payable to) internal {
        selfdestruct(to);
    }
}
