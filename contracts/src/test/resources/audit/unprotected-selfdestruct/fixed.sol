// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Raffle {
    address public operator;
    address[] public tickets;

    constructor() {
        operator = msg.sender;
    }

    modifier onlyOperator() {
        require(msg.sender == operator, "not operator");
        _;
    }

    function buy() external payable {
        require(msg.value == 0.01 ether, "price");
        tickets.push(msg.sender);
    }

    function shutdown(address payable to) external onlyOperator {
        close(to);
    }

    function close(address payable to) internal {
        selfdestruct(to);
    }
}
