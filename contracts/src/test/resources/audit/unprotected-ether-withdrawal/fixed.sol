// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract DonationBox {
    address public owner;

    constructor() {
        owner = msg.sender;
    }

    receive() external payable {}

    function withdraw(address payable to, uint256 amount) external {
        require(msg.sender == owner, "owner only");
        to.transfer(amount);
    }
}
