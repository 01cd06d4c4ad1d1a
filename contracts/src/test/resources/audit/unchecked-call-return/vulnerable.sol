// SPDX-License-Identifier: MIT
pragma solidity ^0.7.6;

contract Payroll {
    address public boss;
    mapping(address => uint256) public owed;

    constructor() {
        boss = msg.sender;
    }

    function book(address worker, uint256 amount) external {
        require(msg.sender == boss, "boss only");
        owed[worker] = amount;
    }

    function pay(address payable worker) external {
        uint256 amount = owed[worker];
        owed[worker] = 0;
        worker.send(amount);
    }

    function notify(address hook) external {
        (bool ok, ) = hook.call(abi.encodeWithSignature("paid()"));
    }
}
