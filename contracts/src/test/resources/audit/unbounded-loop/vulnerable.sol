// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

contract Airdrop {
    address[] public members;
    mapping(address => uint256) public points;

    function join() external {
        members.push(msg.sender);
    }

    function award() external {
        for (uint256 i = 0; i < members.length; i++) {
            points[members[i]] += 1;
        }
    }
}
